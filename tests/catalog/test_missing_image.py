"""Oscar's "missing image" placeholder is in MEDIA_ROOT before the first page is served (``manage.py prepare_media``
at start), as a copy the web server can read from the shared media volume; and when it is not, the first pages
served at once put it there without failing (Oscar's own symlinking raced: FileExistsError, then a 500)."""

import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

from catalog.models import Product
from tests import factories


def _placeholder() -> Path:
    return Path(settings.MEDIA_ROOT) / settings.OSCAR_MISSING_IMAGE_URL


def _oscar_original() -> bytes:
    return Path(finders.find(f"oscar/img/{settings.OSCAR_MISSING_IMAGE_URL}")).read_bytes()


@pytest.fixture
def empty_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # not even created, as on a fresh volume
    return settings.MEDIA_ROOT


def _is_a_readable_copy(path: Path) -> bool:
    return path.is_file() and not path.is_symlink() and path.read_bytes() == _oscar_original() and (
        path.stat().st_mode & 0o044 == 0o044  # the web server's user reads it from the shared volume
    )


def test_prepare_media_copies_the_placeholder_into_an_empty_media_folder(empty_media):
    call_command("prepare_media")

    assert _is_a_readable_copy(_placeholder())


def test_prepare_media_replaces_a_symlink_left_by_oscar_and_is_safe_to_run_again(empty_media):
    empty_media.mkdir()
    _placeholder().symlink_to(finders.find(f"oscar/img/{settings.OSCAR_MISSING_IMAGE_URL}"))

    call_command("prepare_media")
    call_command("prepare_media")

    assert _is_a_readable_copy(_placeholder())
    assert [p.name for p in empty_media.iterdir()] == [settings.OSCAR_MISSING_IMAGE_URL]  # no temporary left


def test_many_first_pages_at_once_all_get_the_placeholder(empty_media, settings):
    """Eight threads ask at once for the placeholder of a product without images on a fresh media folder, 30
    times over (on Oscar's own code about a third of such rounds failed)."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, so they interleave inside the check
    failures = []
    try:
        for round_ in range(30):
            settings.MEDIA_ROOT = empty_media.parent / f"media-{round_}"
            start = threading.Barrier(8)

            def first_page(start):
                start.wait()
                try:
                    Product().get_missing_image()
                except Exception as error:  # noqa: BLE001 - what a page would have answered 500 with
                    failures.append(repr(error))

            threads = [threading.Thread(target=first_page, args=(start,)) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert _is_a_readable_copy(_placeholder())
    finally:
        sys.setswitchinterval(interval)
    assert failures == []


@pytest.mark.parametrize("started_with_prepare_media", [True, False], ids=["after prepare_media", "lazily"])
def test_two_first_concurrent_views_of_a_product_without_image_both_succeed(
    live_server, seeded, empty_media, started_with_prepare_media
):
    product = factories.level_product(factories.design(name="Seed press"), 1, title="Seed press, assembled")
    assert not product.images.exists()
    if started_with_prepare_media:
        call_command("prepare_media")
    url = live_server.url + product.get_absolute_url()  # http://localhost:<port>/...
    start, answers = threading.Barrier(2), []

    def view():
        start.wait()
        try:
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - the live server's URL
                answers.append(response.status)
        except urllib.error.HTTPError as error:
            answers.append(error.code)

    threads = [threading.Thread(target=view) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [200, 200]
    assert _is_a_readable_copy(_placeholder())
