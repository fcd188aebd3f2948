"""The outbox: rows written in the acting transaction, sent by workers after commit.

One engine (`engine.py`: claim with `SELECT … FOR UPDATE SKIP LOCKED`, back off, give up after
`MAX_ATTEMPTS`, re-send what is due) and two kinds of message: e-mail notices for people
(`notices.py`) and signed POSTs to agency webhooks (`webhooks.py`). Sending is queued by task
name, so nothing here imports the tasks.
"""
