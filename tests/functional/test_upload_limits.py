"""What Chromium shows when the file chosen on the import page is over the size limit (20 MB).

The portal refuses the request from its Content-Length without reading the file (transfers/uploads.py);
the browser must get the upload page with the refusal, not a connection error of its own.
"""

import pytest
from playwright.sync_api import expect

from portal.roles import ADMINISTRATOR
from tests.conftest import make_user
from tests.functional.test_transfers import USERNAME, assert_accessible, log_in
from transfers.models import Job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MB = 1024 * 1024


@pytest.fixture
def administrator(seed):
    return make_user(USERNAME, ADMINISTRATOR)


def test_a_file_over_the_limit_gets_the_upload_page_with_the_refusal(page, live_server, administrator, tmp_path):
    big = tmp_path / "整个集团的岗位.csv"
    big.write_bytes("岗位编码,岗位名称\r\n".encode() + b"P-0001,POST\r\n" * (24 * MB // 13))
    assert big.stat().st_size > 20 * MB
    log_in(page, live_server, "/transfers/")

    page.set_input_files("#id_file", str(big))
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="上传并预览").click()

    assert posted.value.status == 413
    expect(page.locator("h1")).to_have_text("导入与导出")  # the upload page, not the browser's error page
    expect(page.locator(".field-file .errorlist")).to_have_text("文件超过 20 MB（导入文件的大小上限），未上传。")
    assert page.url == f"{live_server.url}/transfers/"
    expect(page.locator("#id_file")).to_be_visible()  # to choose a smaller file
    assert not Job.objects.exists()
    assert_accessible(page)
