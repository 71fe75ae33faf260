"""What a page must satisfy under the site's Content-Security-Policy, for the header tests."""

from html.parser import HTMLParser

from django.conf import settings
from django.contrib.staticfiles import finders

# Sources that would let injected markup run or restyle the page.
UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'strict-dynamic'", "*")


def csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def strict_csp_problems(response) -> list[str]:
    """Why the response's Content-Security-Policy is not the strict one, if it is not."""
    header = response.headers.get("Content-Security-Policy")
    if not header:
        return ["no Content-Security-Policy header"]
    policy = csp_directives(header)
    expected = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    problems = [
        f"{name} is {policy.get(name)!r}, not {value!r}"
        for name, value in expected.items()
        if policy.get(name) != value
    ]
    for name, values in policy.items():
        for value in values:
            if value in UNSAFE_SOURCES or value.startswith(("'nonce-", "'sha")):
                problems.append(f"{name} allows {value}")
    if "'self'" not in policy.get("img-src", []):
        problems.append("img-src does not allow the site's own pictures")
    return problems


def _external(url: str) -> bool:
    url = url.strip().lower()
    return url.startswith(("http://", "https://", "//", "\\\\", "/\\"))


class _PageAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.static_files: list[str] = []
        self._in_script = False
        self._script_body: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event-handler attribute")
            if name == "style":
                self.problems.append(f"<{tag} style=...> inline style")
            compact = "".join((value or "").split()).lower()
            if compact.startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}> javascript: URL")
        found = dict(attrs)
        if tag == "style":
            self.problems.append("<style> element")
        url = {"script": found.get("src"), "img": found.get("src"), "link": found.get("href")}.get(
            tag
        )
        if url and _external(url):
            self.problems.append(f"<{tag}> loads {url} from another site")
        if url and url.startswith("/" + settings.STATIC_URL.strip("/") + "/"):
            self.static_files.append(url)
        if tag == "script":
            self._in_script = True
            self._script_body = []

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self._script_body.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            body = "".join(self._script_body).strip()
            if body:
                self.problems.append(f"inline <script> body: {body[:80]!r}")
            self._in_script = False


def html_problems(html: str) -> list[str]:
    """Inline script, handlers, javascript: URLs, inline style, other sites' files, and
    static files that the site does not have."""
    audit = _PageAudit()
    audit.feed(html)
    audit.close()
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    for url in audit.static_files:
        name = url[len(prefix) :].split("?")[0]
        if not finders.find(name):
            audit.problems.append(f"{url} is not a static file of the site")
    return audit.problems
