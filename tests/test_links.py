"""Check every internal link and anchor of the built site; external links are not followed."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

SITE_ROOT_URL = "http://site.invalid/"  # a stand-in origin for resolving relative links
LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src"}


@cache
def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def target_file(site: Path, url_path: str) -> Path:
    """Map a URL path of the site to the file a static server returns for it."""
    candidate = site / unquote(url_path).lstrip("/")
    return candidate / "index.html" if url_path.endswith("/") or candidate.is_dir() else candidate


def anchors(path: Path) -> set[str]:
    soup = parse(path)
    return {tag["id"] for tag in soup.find_all(id=True)} | {tag["name"] for tag in soup.find_all(attrs={"name": True})}


def broken_links(site: Path) -> list[str]:
    """Return one line per internal link whose file or anchor does not exist."""
    problems = []
    for page in sorted(site.rglob("*.html")):
        page_url = urljoin(SITE_ROOT_URL, page.relative_to(site).as_posix())
        for tag_name, attribute in LINK_ATTRIBUTES.items():
            for tag in parse(page).find_all(tag_name, attrs={attribute: True}):
                link = tag[attribute]
                url = urlsplit(urljoin(page_url, link))
                if f"{url.scheme}://{url.netloc}/" != SITE_ROOT_URL:
                    continue  # external, mailto: or data: links are not checked
                target = target_file(site, url.path)
                where = f"{page.relative_to(site)}: {tag_name} {attribute}={link!r}"
                if not target.is_file():
                    problems.append(f"{where}: {target.relative_to(site)} does not exist")
                elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in anchors(target):
                    problems.append(f"{where}: no element with id {url.fragment!r} in {target.relative_to(site)}")
    return problems


def test_internal_links_and_anchors_valid(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 5
    problems = broken_links(site)
    assert problems == [], "\n".join(problems)


def test_link_checker_reports_broken_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h2 id="here">Here</h2><a href="../b/">b</a>')
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "index.html").write_text('<a href="../a/#there">a</a><a href="../c/">c</a>')
    assert broken_links(tmp_path) == [
        "b/index.html: a href='../a/#there': no element with id 'there' in a/index.html",
        "b/index.html: a href='../c/': c/index.html does not exist",
    ]
