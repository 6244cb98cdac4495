"""What a page must not contain for the Content-Security-Policy (no inline script or style)
to let it work in a browser unchanged."""
from html.parser import HTMLParser

# <script type="..."> blocks that hold data, not code (allauth's onload data, json_script).
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class _InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self._script_without_src = False
        self._script_text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> (inline event handler)")
            if name == "style":
                self.problems.append(f"<{tag} style=...> (inline style)")
            if name in ("href", "src", "action", "formaction") and value and \
                    value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            executable = (attrs.get("type") or "text/javascript").lower() not in DATA_SCRIPT_TYPES
            self._script_without_src = executable and not attrs.get("src")
            self._script_text = []

    def handle_data(self, data):
        if self._script_without_src:
            self._script_text.append(data)

    def handle_endtag(self, tag):
        if tag == "script":
            if self._script_without_src and "".join(self._script_text).strip():
                self.problems.append("inline <script>")
            self._script_without_src = False


def inline_code(html):
    """What in ``html`` a strict policy would block: a list of descriptions, empty if none."""
    finder = _InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.problems
