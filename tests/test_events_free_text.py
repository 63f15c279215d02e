"""Free text typed into events (descriptions, reasons) can carry personal data: shown masked."""

from __future__ import annotations

from parcelguard.events.services import event_report
from parcelguard.events.testing import ensure_taxonomy, photo


def test_a_phone_number_typed_into_a_description_is_masked_on_the_page_and_in_the_api(cast, client_for):
    ensure_taxonomy()
    event = event_report(user=cast.worker_a1, site_id=cast.outlet_a1.pk, hazard_type="waybill_pii",
                         description="面单上收件人张伟的电话13905941234完整显示", uploads=[photo()])
    for user in (cast.centre_a, cast.procurator):
        client = client_for(user)
        page = client.get(f"/events/{event.pk}/").content.decode()
        api = client.get(f"/api/v1/events/{event.pk}").content.decode()
        for body in (page, api):
            assert "13905941234" not in body
            assert "5941234" not in body
        assert "完整显示" in page
