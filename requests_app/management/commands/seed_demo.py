"""`manage.py seed_demo`: the SOSA nations, agencies, suppliers, demo users and ~60 requests.

Idempotent: reference data and users are upserted; each demo request is keyed by its contract
number and skipped when present, so a second run changes nothing. Requests are driven through
`requests_app.services` with `now=` moments over the last six weeks, so some clocks run, some
are due soon and some are overdue. Companies, people and part numbers are fictitious.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from partners.models import Agency, Arrangement, Nation, Profile, Supplier, calendar_for
from requests_app import services
from requests_app.models import PriorityRequest, State, Visibility
from requests_app.queries import dues
from requests_app.services.sweep import sweep_deadlines

from ...demo_data import (
    AGENCIES,
    ANSWER,
    AUTHORITIES,
    CAST,
    DEFAULT_DEMO_PASSWORD,
    DEMOS,
    ENDORSERS,
    ENDORSING_NATIONS,
    INTERNAL_NOTE,
    NATIONS,
    PATHS,
    PEOPLE,
    QUESTION,
    SUBJECTS,
    SUPPLIER_NOTE,
    SUPPLIERS,
    Demo,
    demo_steps,
)
from ..demo_helpers import (
    demo_usernames,
    justification_of,
    rel_to,
    step_moments,
    supplier_user,
    upsert_user,
)

User = get_user_model()


class Command(BaseCommand):
    help = "Load demo nations, agencies, suppliers, users and requests (safe to run twice)."

    def handle(self, *args, **options) -> None:
        password = settings.DEMO_PASSWORD
        if not settings.DEBUG and password == DEFAULT_DEMO_PASSWORD:
            self.stderr.write("Warning: demo users get the default password; set DEMO_PASSWORD.")
        with transaction.atomic():
            nations = self.seed_nations()
            self.seed_arrangements(nations)
            agencies = self.seed_agencies(nations)
            suppliers = self.seed_suppliers(nations)
            self.seed_users(password, nations, agencies, suppliers)
        # Fresh user objects: the services cache each user's role and profile on the instance.
        people = {
            user.username: user for user in User.objects.filter(username__in=demo_usernames())
        }
        now = timezone.now().replace(second=0, microsecond=0)
        created = 0
        for demo in DEMOS:
            created += self.seed_request(demo, now, nations, suppliers, people)
        # Climb the escalation ladders now rather than at the next beat, so the demo shows them.
        swept = sweep_deadlines()
        self.report(created, swept.escalations)

    # --- reference data -----------------------------------------------------------------------

    def seed_nations(self) -> dict[str, Nation]:
        nations = {}
        for code, name, zone, calendar, subdiv, signed_on in NATIONS:
            nations[code], _ = Nation.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "time_zone": zone,
                    "holiday_calendar": calendar,
                    "holiday_subdivision": subdiv,
                    "sosa_signed_on": signed_on,
                    "priority_system": "dpas" if code == "US" else "code_of_conduct",
                    # India's own liaison officer endorses each request before it leaves.
                    "requires_endorsement": code in ENDORSING_NATIONS,
                },
            )
        return nations

    def seed_arrangements(self, nations) -> None:
        """The US and each of its partners, from the day each signed (no partner-partner pairs:
        India and the UK have no arrangement between them)."""
        us = nations["US"]
        for code, nation in nations.items():
            if code != "US":
                Arrangement.objects.update_or_create(
                    first_nation=us,
                    second_nation=nation,
                    defaults={"signed_on": nation.sosa_signed_on},
                )

    def seed_agencies(self, nations) -> dict[str, Agency]:
        agencies = {}
        for code, name, kind in AGENCIES:
            agencies[name], _ = Agency.objects.update_or_create(
                nation=nations[code], name=name, defaults={"kind": kind}
            )
        return agencies

    def seed_suppliers(self, nations) -> dict[str, Supplier]:
        suppliers = {}
        for code, name, cage, signed_on in SUPPLIERS:
            suppliers[cage], _ = Supplier.objects.update_or_create(
                cage_code=cage,
                defaults={
                    "nation": nations[code],
                    "name": name,
                    "code_of_conduct_signed_on": signed_on,
                    # The code each nation's firms signed, by the year they signed it.
                    "code_of_conduct_version": f"{signed_on:%Y}" if signed_on else "",
                },
            )
        return suppliers

    def seed_users(self, password, nations, agencies, suppliers) -> None:
        admin_user = upsert_user("admin", password, "Portal", "Administrator")
        if not (admin_user.is_staff and admin_user.is_superuser):
            admin_user.is_staff = admin_user.is_superuser = True
            admin_user.save(update_fields=["is_staff", "is_superuser"])
        for person in PEOPLE:
            first, last = person.name.split(" ", 1)
            user = upsert_user(person.username, password, first, last)
            user.groups.set([Group.objects.get_or_create(name=person.role)[0]])
            profile, _ = Profile.objects.update_or_create(
                user=user,
                defaults={
                    "nation": nations[person.nation],
                    "agency": agencies.get(person.agency),
                    "supplier": suppliers.get(person.supplier),
                    "is_senior_contact": person.senior,
                },
            )
            profile.served_nations.set([nations[code] for code in person.serves])

    # --- requests -----------------------------------------------------------------------------

    def seed_request(self, demo: Demo, now, nations, suppliers, people) -> bool:
        subject = SUBJECTS[demo.subject]
        contract = f"{subject.contract}{demo.number:04d}"
        if PriorityRequest.objects.filter(contract_number=contract).exists():
            return False
        requesting, responding, requester, liaison, reviewer = CAST[demo.direction]
        cast = {
            "requester": people[requester],
            "liaison": people[liaison],
            "reviewer": people[reviewer],
            "endorser": people.get(ENDORSERS.get(requesting, "")),
            "authority": people.get(AUTHORITIES.get(responding, "")),
        }
        steps = demo_steps(
            PATHS[demo.outcome],
            route=nations[responding].priority_system,
            endorsed=nations[requesting].requires_endorsement,
        )
        moments = step_moments(steps, now, demo.last_days_ago, demo.gap_days)
        calendar = calendar_for(nations[responding])
        created_on = calendar.local_date(moments[0])
        required_on = created_on + dt.timedelta(days=60 + (demo.number * 11) % 90)
        lot = sum(
            1 for other in DEMOS if other.subject == demo.subject and other.number < demo.number
        )
        title = subject.title + (f", lot {lot + 1}" if lot else "")
        jurisdiction, classification, licence = subject.export
        with transaction.atomic():
            request = services.create_request(
                by=cast["requester"],
                now=moments[0],
                title=title,
                responding_nation=nations[responding],
                contract_number=contract,
                program=subject.program,
                justification=justification_of(subject, demo),
                urgency=demo.urgency,
                required_delivery_date=required_on,
                prime_contractor=subject.prime,
                supplier_tier="tier 2" if subject.prime else "prime",
                end_user=subject.end_user,
                steps_taken="Expedite requested from the supplier; no earlier date offered.",
                export_jurisdiction=jurisdiction,
                export_classification=classification,
                licence_status=licence if jurisdiction else "",
                handling_marking=f"CUI//REL TO {rel_to(requesting, responding)}",
                items=[
                    {
                        "description": description,
                        "part_number": part,
                        "nsn": nsn,
                        "quantity": quantity,
                        "unit": unit,
                        "required_date": required_on,
                    }
                    for description, part, nsn, quantity, unit in subject.items
                ],
            )
            supplier = suppliers[subject.supplier]
            for step, at in zip(steps, moments[1:], strict=True):
                request = self.act(step, request, at, demo, cast, supplier, calendar, people)
        return True

    def act(self, step, request, at, demo, cast, supplier, calendar, people) -> PriorityRequest:
        supplier_side = supplier_user(people, request.supplier_id) or cast["liaison"]
        rating, _, symbol = demo.rating.partition("-")
        if step == "submit":
            return services.submit(request, by=cast["requester"], now=at)
        if step in ("ask_liaison", "ask_reviewer"):
            who = cast["liaison" if step == "ask_liaison" else "reviewer"]
            return services.request_info(request, by=who, question=QUESTION, now=at)
        if step == "answer":
            return services.answer(request, by=cast["requester"], answer=ANSWER, now=at)
        if step == "triage":
            return services.triage(request, by=cast["liaison"], assignee=cast["reviewer"], now=at)
        if step == "endorse":
            note = "Endorsed by the Ministry: the program and the need date are confirmed."
            return services.endorse(request, by=cast["endorser"], note=note, now=at)
        if step == "determine":
            return services.determine(
                request,
                by=cast["reviewer"],
                rating=rating,
                program_symbol=symbol,
                note=f"Supports {request.program}: a defence need covered by the arrangement.",
                dod_reference=f"DoD-IBP-{demo.number:04d}",
                now=at,
            )
        if step == "authorise":
            return services.authorise(
                request,
                by=cast["authority"],
                bis_case_number=f"BIS-{at.year}-{demo.number:05d}",
                rating=rating,
                program_symbol=symbol,
                note="Rating authorised under 15 CFR 700 for the foreign government's need.",
                now=at,
            )
        if step == "approve":
            note = "The Ministry supports the request under the Code of Conduct."
            return services.approve(request, by=cast["reviewer"], note=note, now=at)
        if step == "forward":
            return services.forward(request, by=cast["liaison"], supplier=supplier, now=at)
        return self.act_after_forward(step, request, at, demo, cast, calendar, supplier_side)

    def act_on_items(self, step, request, at, demo, cast, calendar, supplier_side):
        """Items one by one (DESIGN §4a): a partial answer, the split, a partial delivery."""
        today = calendar.local_date(at)

        def working_day(day: dt.date) -> dt.date:
            return calendar.add_working_days(day, 0).due_on

        days = dt.timedelta
        if step == "accept_some":  # every item but the last, which the supplier refuses
            *kept, refused = request.items.order_by("id")
            return services.supplier_accept(
                request,
                by=supplier_side,
                items=[
                    {
                        "id": item.pk,
                        "committed_delivery_date": working_day(
                            today + days(n * 10 + demo.lead_days)
                        ),
                    }
                    for n, item in enumerate(kept)
                ],
                rejected_items=[
                    {"id": refused.pk, "reason": "No capacity for this part this year."}
                ],
                now=at,
            )
        if step == "split":
            rejected = list(request.items.filter(response="rejected").values_list("id", flat=True))
            services.split(request, by=cast["liaison"], items=rejected, now=at)
            return PriorityRequest.objects.get(pk=request.pk)
        first = request.items.filter(response="accepted").order_by("id").first()  # deliver_part
        return services.record_delivery(
            request,
            by=cast["requester"],
            item=first.pk,
            quantity=max(first.quantity // 2, 1),
            delivered_on=calendar.subtract_working_days(today, 1),
            now=at,
        )

    def act_after_forward(
        self, step, request, at, demo, cast, calendar, supplier_side
    ) -> PriorityRequest:
        """The supplier's answer, delivery, the closing steps and the comments."""
        today = calendar.local_date(at)

        def working_day(day: dt.date) -> dt.date:  # suppliers promise working days
            return calendar.add_working_days(day, 0).due_on

        days = dt.timedelta
        if step == "reject":
            return services.supplier_reject(
                request,
                by=supplier_side,
                reason="Capacity committed to earlier rated orders this quarter.",
                earliest_date=working_day(today + days(75)),
                now=at,
            )
        if step == "accept":
            return services.supplier_accept(
                request,
                by=supplier_side,
                committed_delivery_date=working_day(today + days(demo.lead_days)),
                now=at,
            )
        if step in ("accept_some", "split", "deliver_part"):
            return self.act_on_items(step, request, at, demo, cast, calendar, supplier_side)
        if step == "delay":
            return services.report_delay(
                request,
                by=supplier_side,
                reason="Raw-material lot failed inspection; re-melt scheduled.",
                committed_delivery_date=working_day(
                    max(request.committed_delivery_date, today) + days(21)
                ),
                now=at,
            )
        if step == "fulfil":
            who = cast["requester"] if demo.number % 2 else cast["liaison"]
            delivered_on = calendar.subtract_working_days(today, 1)
            return services.fulfil(request, by=who, delivered_on=delivered_on, now=at)
        if step in ("decline_liaison", "decline_reviewer"):
            who = cast["liaison" if step == "decline_liaison" else "reviewer"]
            reason = "No approved defence program supports this order; commercial channels apply."
            return services.decline(request, by=who, reason=reason, now=at)
        if step == "withdraw":
            reason = "Requirement met from fleet stock; request no longer needed."
            return services.withdraw(request, by=cast["requester"], reason=reason, now=at)
        if step == "close":
            reason = "No supplier can deliver before the need date; alternative source pursued."
            return services.close_unfulfilled(request, by=cast["liaison"], reason=reason, now=at)
        if step == "note_internal":
            services.add_comment(
                request,
                by=cast["liaison"],
                body=INTERNAL_NOTE,
                visibility=Visibility.INTERNAL,
                now=at,
            )
            return request
        if step == "note_supplier":
            services.add_comment(
                request, by=supplier_side, body=SUPPLIER_NOTE, visibility=Visibility.SHARED, now=at
            )
            return request
        raise ValueError(f"Unknown demo step {step!r}")

    # --- summary ------------------------------------------------------------------------------

    def report(self, created: int, escalations: int) -> None:
        requests = PriorityRequest.objects.all()
        skipped = len(DEMOS) - created
        self.stdout.write(f"Demo requests: {created} created, {skipped} already present.")
        self.stdout.write(f"Deadline sweep: {escalations} new escalation levels recorded.")
        counts = Counter(requests.values_list("state", "resolution"))
        for state in State:
            for (found, resolution), count in sorted(counts.items()):
                if found == state:
                    label = f"{state.value} ({resolution})" if resolution else state.value
                    self.stdout.write(f"  {label:<24} {count}")
        self.stdout.write(
            f"  {'overdue (open)':<24} {dues.overdue(requests, timezone.now()).count()}"
        )
        escalated = dues.escalated(requests).count()
        self.stdout.write(f"  {'escalated (open)':<24} {escalated}")
        self.stdout.write(f"  {'total':<24} {requests.count()}")
        password = settings.DEMO_PASSWORD
        shown = password if password == DEFAULT_DEMO_PASSWORD else "the DEMO_PASSWORD you set"
        self.stdout.write(f"Demo logins (password: {shown}):")
        self.stdout.write("  admin (superuser, /admin/)")
        for person in PEOPLE:
            self.stdout.write(f"  {person.username:<14} {person.role} ({person.nation})")
