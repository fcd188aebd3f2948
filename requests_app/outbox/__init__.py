"""The outbox: rows written in the acting transaction, sent by workers after commit.

One engine (`engine.py`: claim a row with a committed conditional `UPDATE` and a lease, send
outside any transaction, record the outcome; back off, give up after `MAX_ATTEMPTS`, re-send
what is due or was left by a worker that died) and two kinds of message: e-mail notices for people
(`notices.py`) and signed POSTs to agency webhooks (`webhooks.py`); notices a person wants once
a day go out together in their digest (`digest.py`, claimed the same way). Sending is queued by
task name, so nothing here imports the tasks.
"""
