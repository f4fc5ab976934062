"""The outputs of a review (issue 5, Outputs): the completed form laid out like seed 003 and the
plain-language letter to the prisoner, built from reviews taken through the real services at
several stages, rendered by WeasyPrint without fetching anything.

pypdf is not installed, so the PDFs' text is read from WeasyPrint's own layout of the same HTML
(every page's boxes, the running headers and page numbers included) and the bytes are checked to
be a PDF."""

import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from classification.models import ClassificationKind, PoliceInformation, RiskLevel
from classification.outputs import (
    review_form_context,
    review_form_html,
    review_form_pdf,
    review_letter_context,
    review_letter_html,
    review_letter_pdf,
)
from classification.services import (
    review_advise,
    review_cancel,
    review_correct_answer,
    review_send_back,
    review_submit,
    security_classification_record,
)
from ioms.pdf import html_to_pdf, pdf_document
from sentences.models import OffenceCategory
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import (
    IncidentReportFactory,
    PoliceInformationFactory,
    days_ago,
    prisoner,
    today,
)
from tests.classification.test_prepopulate import offence
from tests.classification.test_workflow import approved, initiated, recommended, submitted
from tests.factories import ChargeFactory, OfficeFactory, staff_user

pytestmark = pytest.mark.django_db

# Seed 003, sections A and B, item by item in the form's order.
SEED_003_ITEMS = [
    "A.1.1",
    "A.1.2",
    "A.2.1",
    "A.3.1",
    "A.4.1",
    "A.4.2",
    "A.4.3",
    "A.4.4",
    "A.4.5",
    "A.4.6",
    "A.5.1",
    "A.5.2",
    "A.5.3",
    "A.5.4",
    "A.5.5",
    "B.1.1",
    "B.2.1",
    "B.2.2",
    "B.2.3",
    "B.2.4",
    "B.3.1",
    "B.3.2",
    "B.4.1",
    "B.4.2",
    "B.4.3",
    "B.4.4",
]
SEED_003_GROUPS = ["A.1", "A.2", "A.3", "A.4", "A.5", "B.1", "B.2", "B.3", "B.4"]
SEED_003_HEADINGS = [
    "Identifying details",
    "A. Internal Risk",
    "B. External Risk",
    "C. Assign Security Classification",
    "C.1.1",
    "C.2.1",
    "C.3. Override reasons and recommendation",
    "C.4. Signature of initiating officer",
    "D. Approval",
    "D.1. Recommending Officer",
    "D.2. Approving Officer",
    "E. Advise prisoner",
    "E.1. Pre-issue check",
    "E.2. Advise prisoner",
]


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON)


def prisoner_at(prison):
    """A prisoner at `prison` with an initial classification of internal A / external A."""
    offender = prisoner(managing_office=prison)
    security_classification_record(
        actor=None,
        offender=offender,
        kind=ClassificationKind.INITIAL,
        internal_category="A",
        external_category="A",
        effective_on=days_ago(180),
    )
    return offender


@pytest.fixture
def inmate(prison, v1):
    return prisoner_at(prison)


@pytest.fixture
def officers(prison):
    """One officer per step, all at the prison (as tests/classification/test_workflow.py)."""
    return {
        "initiator": staff_user(Role.PRISON_OFFICER, prison),
        "recommender": staff_user(Role.RECOMMENDING_OFFICER, prison),
        "approver": staff_user(Role.APPROVING_OFFICER, prison),
        "adviser": staff_user(Role.PRISON_OFFICER, prison),
    }


def page_texts(html: str) -> list[str]:
    """The text WeasyPrint lays out on each page (body, running headers and footers)."""
    return [
        " ".join(box.text for box in page._page_box.descendants() if hasattr(box, "text"))
        for page in pdf_document(html).pages
    ]


def flat(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


def items_of(context: dict) -> list[dict]:
    return [item for section in context["sections"] for group in section["groups"] for item in group["items"]]


def named(inmate):
    inmate.family_name, inmate.given_names = "Tane", "Aroha"
    inmate.save(update_fields=["family_name", "given_names"])
    return inmate


@pytest.fixture
def known(inmate):
    """The inmate, named, with a Corrections Act charge for violence (A.4.4) and Police
    information assessed High (B.4.3), so both sections score points."""
    named(inmate)
    IncidentReportFactory(
        offender=inmate,
        occurred_on=days_ago(20),
        corrections_act="charged",
        violence_related=True,
        description="Punched a cell mate",
    )
    PoliceInformationFactory(
        offender=inmate,
        level=RiskLevel.HIGH,
        source=PoliceInformation.Source.POLICE,
        received_on=days_ago(15),
    )
    return inmate


def corrected(inmate, officers):
    review = initiated(inmate, officers)
    return review_correct_answer(
        actor=officers["initiator"],
        review=review,
        item="A.5.2",
        option="poor",
        reason="Three officers report he ignores instructions at muster",
    )


# --- the form's context ----------------------------------------------------------------------


def test_the_form_lists_every_seed_003_item_in_order_under_its_group(prison, known, officers):
    context = review_form_context(initiated(known, officers))

    assert [item["code"] for item in items_of(context)] == SEED_003_ITEMS
    assert [group["code"] for s in context["sections"] for group in s["groups"]] == SEED_003_GROUPS
    assert [s["title"] for s in context["sections"]] == ["A. Internal Risk", "B. External Risk"]
    first = items_of(context)[0]
    assert first["text"] == "Terrorism charges or offences" and first["option_label"] == "No"
    assert context["prisoner"]["name"] == "TANE, Aroha"
    assert context["prisoner"]["prn"] == known.prn
    assert context["prisoner"]["prison"] == prison.name


def test_the_form_totals_and_categories_are_the_reviews_and_add_up(known, officers):
    review = initiated(known, officers)
    context = review_form_context(review)
    items = items_of(context)

    internal = sum(i["points"] or 0 for i in items if i["code"].startswith("A"))
    external = sum(i["points"] or 0 for i in items if i["code"].startswith("B"))
    assert (internal, external) == (review.internal_score, review.external_score)
    assert context["totals"]["internal"] == review.internal_score > 0
    assert context["totals"]["external"] == review.external_score > 0
    assert context["preliminary"]["internal"] == review.internal_category
    assert context["preliminary"]["external"] == review.external_category
    # C.2 shows the thresholds of the version that scored it.
    assert context["preliminary"]["internal_a"] == "0 – 26" and context["preliminary"]["internal_b"] == "27+"
    assert context["preliminary"]["external_a"] == "0 – 23" and context["preliminary"]["external_b"] == "24+"
    assert context["instrument"]["version"] == review.instrument.version
    by_code = {item["code"]: item for item in items}
    # B.2 carries section A over; B.4.4 is the internal category just scored.
    assert by_code["B.2.2"]["points"] == by_code["A.4.1"]["points"]
    assert by_code["B.2.2"]["carried_from"] == ["A.4.1"]
    assert by_code["B.4.4"]["option_label"] == review.internal_category
    assert by_code["A.1.1"]["points"] is None  # an override decides a category, it scores nothing


def test_each_answer_says_how_it_was_reached(known, officers):
    context = review_form_context(corrected(known, officers))
    by_code = {item["code"]: item for item in items_of(context)}

    assert by_code["A.4.4"]["origin"] == "prepopulated" and by_code["A.4.4"]["points"] > 0
    assert by_code["A.4.4"]["sources"][0]["kind"] == "Incident report"
    staff = by_code["A.5.2"]
    assert staff["origin"] == "corrected" and staff["option_label"] == "Poor"
    assert staff["prepopulated_label"] == "Good"
    assert staff["corrections"] == [
        {
            "from_label": "Good",
            "to_label": "Poor",
            "reason": "Three officers report he ignores instructions at muster",
            "by": officers["initiator"].get_full_name(),
            "on": today(),
        }
    ]
    # Time alone moves B.3.1 into another band; the form says when.
    assert by_code["B.3.1"]["change_note"].startswith("This score falls on ")
    # Seed 003, B.4.3: the level only, never the source or the information.
    assert by_code["B.4.3"]["option_label"] == "H"
    assert by_code["B.4.3"]["sources"] == [] and by_code["B.4.3"]["sources_withheld"]


def test_the_form_shows_the_override_recommendation_and_every_officer(known, officers):
    review = approved(
        known,
        officers,
        submit={
            "override_internal_category": "B",
            "override_reason": "Planned escape reported by unit staff",
            "comments": "Scored with the unit manager",
        },
        internal_category="B",
        external_category="B",
        change_reason="He is to be escorted to court often",
        comments="Agreed with changes",
    )
    context = review_form_context(review)

    assert context["state"]["approved"] and not context["state"]["watermark"]
    assert context["classification"] == {"internal": "B", "external": "B"}
    assert context["override"]["given"] and context["override"]["recommended"]["internal"] == "B"
    assert context["override"]["reason"] == "Planned escape reported by unit staff"
    assert context["initiating"]["officer"] == officers["initiator"].get_full_name()
    assert context["initiating"]["comments"] == "Scored with the unit manager"
    assert context["recommending"]["officer"] == officers["recommender"].get_full_name()
    assert context["approving"]["officer"] == officers["approver"].get_full_name()
    assert context["approving"]["changed"]
    assert context["approving"]["change_reason"] == "He is to be escorted to court often"
    assert context["advising"]["record_agrees"] is True
    assert context["previous"]["internal"] == "A" and context["previous"]["kind"] == "Initial classification"
    assert [step["to"] for step in context["steps"]][-1] == "Approved, prisoner to be advised"


def test_the_terrorism_override_leaves_internal_risk_uncompleted(inmate, officers):
    ChargeFactory(offender=inmate, offence=offence(categories=[OffenceCategory.TERRORISM]))
    context = review_form_context(initiated(inmate, officers))
    by_code = {item["code"]: item for item in items_of(context)}

    assert by_code["A.1.1"]["option_label"] == "Yes"
    assert by_code["A.1.1"]["sources"][0]["kind"] == "Charge"
    assert by_code["A.2.1"]["not_completed"] and by_code["A.2.1"]["points"] is None
    assert not context["totals"]["internal_completed"]
    assert (context["preliminary"]["internal"], context["preliminary"]["external"]) == ("B", "B")
    assert [override["code"] for override in context["preliminary"]["overrides"]] == ["A.1.1"]


def test_the_form_is_built_in_a_constant_number_of_queries(prison, inmate, officers):
    small = initiated(inmate, officers)

    busy = prisoner_at(prison)
    for day in range(1, 40):
        IncidentReportFactory(
            offender=busy, occurred_on=days_ago(day), corrections_act="proven", negative_attitude=True
        )
    large = review_initiate_busy(busy, officers)

    def count(review):
        with CaptureQueriesContext(connection) as queries:
            context = review_form_context(review)
        return len(queries), context

    small_queries, _ = count(small)
    large_queries, context = count(large)
    assert len(context["steps"]) == 4
    assert sum(len(item["corrections"]) for item in items_of(context)) == 4
    assert sum(len(item["sources"]) for item in items_of(context)) > 40
    assert large_queries == small_queries <= 10


def review_initiate_busy(offender, officers):
    """A review with four corrections and a round trip back to the initiating officer."""
    from classification.services import review_initiate

    review = review_initiate(actor=officers["initiator"], offender=offender)
    for item, option in (("A.5.2", "poor"), ("A.5.3", "poor"), ("A.5.4", "average"), ("A.3.1", "U")):
        review = review_correct_answer(
            actor=officers["initiator"], review=review, item=item, option=option, reason=f"{item} checked"
        )
    review = review_submit(actor=officers["initiator"], review=review)
    review = review_send_back(actor=officers["recommender"], review=review, reason="Check A.5.4")
    return review_submit(actor=officers["initiator"], review=review)


# --- the form as PDF -------------------------------------------------------------------------


def test_a_draft_form_is_a_pdf_marked_draft_on_every_page_with_the_prisoner_in_each_header(known, officers):
    review = corrected(known, officers)
    pdf = review_form_pdf(review)
    pages = page_texts(review_form_html(review))
    text = flat(pages)

    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"TANE, Aroha — PRN {known.prn}" in page
        assert f"Page {number} of {len(pages)}" in page
        assert "DRAFT — not approved" in page
    positions = [text.index(code + " ") for code in SEED_003_ITEMS]
    assert positions == sorted(positions), "items appear in seed 003's order"
    headings = [text.index(heading) for heading in SEED_003_HEADINGS]
    assert headings == sorted(headings), "sections appear in seed 003's order"
    assert f"Section A: Internal Risk {review.internal_score}" in text
    assert f"Section B: External Risk {review.external_score}" in text
    assert "Three officers report he ignores instructions at muster" in text
    assert "Corrected" in text and "This score falls on" in text
    assert "Level only: the source and the information are not shown on this form." in text
    assert "Police" not in text and "Assessed H" not in text


def test_an_approved_form_carries_no_draft_mark_and_shows_the_approved_classification(known, officers):
    review = approved(known, officers)
    pdf = review_form_pdf(review)
    text = flat(page_texts(review_form_html(review)))

    assert pdf.startswith(b"%PDF")
    assert "DRAFT" not in text
    assert (
        f"Security Classification Internal {review.approved_internal_category} "
        f"External {review.approved_external_category}" in text
    )
    assert f"Approving officer {officers['approver'].get_full_name()}" in text
    assert "Approved classification matches IOMS Yes" in text


def test_an_advised_form_records_the_copy_and_the_refusal_to_sign(known, officers):
    review = approved(known, officers)
    review = review_advise(
        actor=officers["adviser"],
        review=review,
        advised_on=today(),
        prisoner_signed=False,
        refusal_note="Refused to sign; copy left with him",
    )
    text = flat(page_texts(review_form_html(review)))

    assert f"Copy given to the prisoner {today():%-d %B %Y}" in text
    assert "The prisoner refused to sign. Refused to sign; copy left with him" in text
    assert f"Advising officer {officers['adviser'].get_full_name()}" in text
    assert "DRAFT" not in text


def test_a_cancelled_form_says_so_and_why(known, officers):
    review = review_cancel(
        actor=officers["initiator"], review=initiated(known, officers), reason="Transferred"
    )
    pages = page_texts(review_form_html(review))
    text = flat(pages)

    assert all("CANCELLED — not approved" in page for page in pages)
    assert "cancelled before it was approved. Reason: Transferred" in text
    assert "DRAFT" not in text


def test_a_sent_back_form_is_a_draft_saying_who_sent_it_back_and_why(known, officers):
    review = review_send_back(
        actor=officers["recommender"], review=submitted(known, officers), reason="A.3.1 needs Health's view"
    )
    text = flat(page_texts(review_form_html(review)))

    assert "DRAFT — not approved" in text
    assert (
        f"Sent back to the initiating officer by {officers['recommender'].get_full_name()} on "
        f"{today():%-d %B %Y}: A.3.1 needs Health's view" in text
    )


# --- the letter ------------------------------------------------------------------------------


def test_there_is_no_letter_before_approval(known, officers):
    review = recommended(known, officers)
    with pytest.raises(ValidationError, match="once the review has been approved"):
        review_letter_pdf(review)
    review = review_cancel(actor=officers["initiator"], review=review, reason="Released early")
    with pytest.raises(ValidationError, match="once the review has been approved"):
        review_letter_context(review)


def test_the_letter_tells_the_prisoner_the_result_and_the_reasons_in_plain_words(known, officers):
    review = approved(
        known,
        officers,
        submit={
            "override_internal_category": "B",
            "override_reason": "You were found with a home-made weapon",
        },
        external_category="B",
        change_reason="You are due in court often and will be escorted",
    )
    context = review_letter_context(review)
    pdf = review_letter_pdf(review)
    pages = page_texts(review_letter_html(review))
    text = flat(pages)

    assert pdf.startswith(b"%PDF") and len(pages) >= 1
    assert all(f"Aroha Tane — PRN {known.prn}" in page for page in pages)
    assert "Dear Aroha Tane," in text
    assert "Internal risk B Your internal risk is medium." in text
    assert "External risk B Your external risk is medium." in text
    assert "Your classification has changed. Before this review it was internal A and external A." in text
    assert f"Your internal risk score is {review.internal_score} points." in text
    assert f"A score of {review.instrument.internal_b_from} or more means category B." in text
    questions = [reason["question"] for reason in context["reasons"]]
    assert questions == [
        "How serious your current offence is",
        "Charges and convictions under the Corrections Act in the past 3 months "
        "for drugs, violence or escape",
        "Time left before you could be released",
        "Other information about the risk if you have any access outside the prison",
    ]
    assert "Charges and convictions under the Corrections Act in the past 3 months for drugs," in text
    assert "violence or escape 1 charge or conviction 4 Internal" in text
    assert "How serious your current offence is Moderate seriousness 4 Internal and external" in text
    assert "Other information about the risk if you have any access outside the prison High" in text
    assert "You were found with a home-made weapon" in text
    assert "You are due in court often and will be escorted" in text
    assert "Talk to your unit manager first." in text and "complaints process" in text
    assert f"made the decision on {today():%-d %B %Y}" in text
    # Seed 003, B.4.3: never the source or the content of Police information.
    for withheld in ("Police", "police", "Crime Prevention", "Assessed H"):
        assert withheld not in text
    assert "DRAFT" not in text


def test_the_letter_explains_the_terrorism_override(inmate, officers):
    named(inmate)
    ChargeFactory(offender=inmate, offence=offence(categories=[OffenceCategory.TERRORISM]))
    text = flat(page_texts(review_letter_html(approved(inmate, officers))))

    assert "under the Terrorism Suppression Act 2002" in text
    assert "both your internal and your external category must be B" in text
    assert "Your internal risk score is" not in text  # section A was not completed


def test_a_letter_referred_back_at_the_pre_issue_check_is_marked_not_to_be_given(known, officers):
    from classification.services import review_refer_back

    review = review_refer_back(
        actor=officers["adviser"], review=approved(known, officers), discrepancy="IOMS shows A/A"
    )
    text = flat(page_texts(review_letter_html(review)))
    assert "Do not give this letter to the prisoner yet." in text


# --- nothing is fetched ----------------------------------------------------------------------


@pytest.fixture
def listener():
    """A local web server recording every request made to it."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_rendering_fetches_nothing_even_when_the_html_asks(listener):
    base, requests = listener
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    direct.open(f"{base}/control").close()  # the listener does hear requests
    assert requests == ["/control"]

    pdf = html_to_pdf(
        f'<html><head><link rel="stylesheet" href="{base}/sheet.css">'
        f"<style>@import url({base}/imported.css); body {{ background: url({base}/bg.png); }}</style>"
        f'</head><body><img src="{base}/img.png" alt="x"><p>Text</p></body></html>'
    )

    assert pdf.startswith(b"%PDF")
    assert requests == ["/control"]


def test_markup_in_a_prisoners_name_is_printed_as_text_and_fetches_nothing(inmate, officers, listener):
    base, requests = listener
    inmate.given_names = f'<img src="{base}/name.png">'
    inmate.save(update_fields=["given_names"])
    review = approved(inmate, officers)

    html = review_form_html(review)
    assert review_form_pdf(review).startswith(b"%PDF")
    assert review_letter_pdf(review).startswith(b"%PDF")
    assert "&lt;img src=" in html and '<img src="' not in html
    assert requests == []
