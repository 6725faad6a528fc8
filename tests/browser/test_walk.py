"""Every role walks every link it is shown, in Chromium, at phone and at desk width (issue #13):

no page answers 4xx or 5xx, none logs a console error, none is wider than the screen, no table or card
cuts what it holds (its box is as wide as what it shows: ``scrollWidth <= clientWidth``), no amount
breaks over two lines, and every page says it is Indonesian (``<html lang="id">``).

Files (exports, PDFs), the sign-out, the language switch and the Django back office are not walked: they
are not pages of their own, or are tested where they are built.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from tests.browser.pages import login
from tests.browser.people import USERNAMES

# Pages a walk visits at most per role and width: enough for every kind of page the role is shown.
MAX_PAGES = 30
SKIPPED_PATHS = ("/accounts/logout", "/admin/", "/static/", "/i18n/")
FILE_ENDINGS = (".pdf", ".xlsx", ".csv", ".json", ".svg", ".png")
FILE_QUERIES = ("export=", "format=", "download")
QUERY_VARIANTS = 2

# What a page cuts: a box narrower than its content (tables in their scrolling box, cards, the page).
CUT = """() => {
  const cut = [];
  if (document.documentElement.scrollWidth > window.innerWidth + 1) cut.push("the page");
  for (const box of document.querySelectorAll(".scroll, .card, table")) {
    if (box.scrollWidth > box.clientWidth + 1) {
      const name = box.dataset.testid || box.querySelector("[data-testid]")?.dataset.testid || "";
      const tag = `${box.tagName.toLowerCase()}.${box.className} ${name}`;
      cut.push(`${tag} (${box.scrollWidth} > ${box.clientWidth})`);
    }
  }
  for (const amount of document.querySelectorAll(".money, td.n, th.n")) {
    if (amount.querySelector("br")) continue;  // a figure with its share on a line of its own, by design
    const text = document.createRange();
    text.selectNodeContents(amount);
    const tops = [...text.getClientRects()].map((rect) => rect.top).sort((a, b) => a - b);
    if (tops.length && tops[tops.length - 1] - tops[0] > 8) {
      cut.push(`the amount ${amount.textContent.trim()} over two lines`);
    }
  }
  return cut;
}"""


def _walkable(href: str, origin: str) -> str | None:
    """The path and query of a link worth walking, or None."""
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    path = parts.path
    if path.startswith(SKIPPED_PATHS) or path.endswith(FILE_ENDINGS):
        return None
    if any(marker in parts.query for marker in FILE_QUERIES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.parametrize("username", USERNAMES)
def test_every_link_a_role_is_shown_opens_whole_and_in_indonesian(page, people, username):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, username)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))

    queue, seen, problems = ["/"], {"/"}, []
    variants: dict[str, int] = {}  # pages walked per path: a month picker links the same page many times
    while queue and len(seen) <= MAX_PAGES:
        path = queue.pop(0)
        errors.clear()
        response = page.goto(origin + path)
        page.wait_for_load_state("networkidle")
        if response is None or response.status >= 400:
            problems.append(f"{path}: answered {response.status if response else 'nothing'}")
            continue
        if (lang := page.evaluate("document.documentElement.lang")) != "id":
            problems.append(f"{path}: <html lang={lang!r}>")
        problems.extend(f"{path}: cuts {what}" for what in page.evaluate(CUT))
        problems.extend(f"{path}: console error {error}" for error in errors)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)"):
            if (target := _walkable(href, origin)) is None or target in seen:
                continue
            bare = target.split("?")[0]
            if variants.get(bare, 0) >= QUERY_VARIANTS:
                continue
            variants[bare] = variants.get(bare, 0) + 1
            seen.add(target)
            queue.append(target)
    assert not problems, f"{len(problems)} problems as {username}:\n" + "\n".join(problems)
