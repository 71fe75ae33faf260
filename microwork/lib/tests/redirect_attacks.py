"""Values an attacker puts in `next`, `back` or the Referer to bounce a user off our site.
Every page that follows one of them is tested against the whole list."""

OPEN_REDIRECT_ATTACKS = [
    "//evil.example/x",
    "///evil.example/x",
    "/\\evil.example/x",
    "/%5Cevil.example/x",
    "/%5cevil.example/x",
    "/%255Cevil.example/x",
    "\\\\evil.example/x",
    "\\/evil.example/x",
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "/%09/evil.example/x",
    "/%2F/evil.example/x",
    "%2F%2Fevil.example/x",
    " //evil.example/x",
    "https://evil.example/x",
    "http:evil.example/x",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "evil.example/x",
    "data:text/html,<script>alert(1)</script>",
]
