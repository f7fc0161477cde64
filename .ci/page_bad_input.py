#!/usr/bin/env python3
"""A bounded bad-input pass over the web pages' query parameters: NUL, control characters,
broken UTF-8, overlong and out-of-range values, alone and all at once. Signs in as the demo
administrator and fails on any 5xx. Usage: page_bad_input.py BASE_URL"""

import http.cookiejar
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/")

PAGES = [
    "/", "/companies", "/companies/new", "/companies/1", "/companies/1/edit", "/companies/suggest",
    "/companies/duplicates", "/contacts", "/contacts/new", "/contacts/1", "/contacts/1/edit",
    "/contacts/suggest", "/contacts/duplicates", "/deals", "/deals/kanban", "/deals/new",
    "/deals/1", "/deals/1/edit", "/deals/1/delete", "/deals/suggest", "/tasks", "/tasks/new",
    "/tasks/1", "/activities", "/activities/new", "/activities/1", "/activities/1/edit",
    "/reports/funnel", "/reports/sources", "/search/suggest", "/exports", "/admin", "/admin/audit", "/admin/users",
    "/admin/users/1", "/admin/groups", "/admin/roles/1", "/admin/settings", "/admin/ownership",
    "/admin/fields", "/admin/fields/deals/window_type", "/admin/jobs", "/admin/automation",
    "/admin/automation/new", "/admin/automation/1", "/admin/webhooks", "/admin/webhooks/1",
    "/admin/web-forms", "/admin/web-forms/1", "/admin/loss-reasons", "/f/demo-zamer", "/notifications",
    "/notifications/badge", "/notifications/settings",
    "/conditions?back=/deals&join=and&0.field=amount&apply=1", "/conditions?back=/tasks&add=1",
    "/account/password", "/account/tokens", "/login",
]

PARAMS = [
    "test_deal", "trigger", "q", "sort", "after", "before", "cursor", "page", "limit", "view", "owner", "owner_id",
    "stage", "stage_id", "pipeline", "status", "state", "priority", "assignee", "assignee_id",
    "company_id", "contact_id", "deal_id", "user", "user_id", "action", "entity", "from", "to",
    "created_from", "created_to", "closed_from", "closed_to", "done_from", "done_to", "due",
    "month", "period", "kind", "direction", "group", "role_id", "cols", "list", "format", "next",
    "return_to", "id", "inn", "kpp", "region", "industry", "source", "filter", "0.field", "0.op",
    "0.value", "0.values", "1.value2", "remove",
]

# Raw query-string pieces (already percent-encoded where they must be).
BAD = [
    "%00", "a%00b", "%01", "%1F", "%7F", "%C2%85", "%E2%80%AE", "%FF", "%C3%28", "%ED%A0%80",
    "%", "%G1", "a" * 1_000, "9" * 40, "-9223372036854775809", "1e309", "NaN", "-1", "0",
    "2026-13-45", "9999-99-99T99:99", "%27%20OR%201%3D1--", "%3Cscript%3E", "..%2F..%2Fetc",
    "%26%3D%3F", "+", "%20", "",
]


def main() -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    opener.open(BASE + "/login", timeout=30).read()
    form = urllib.parse.urlencode({"email": "admin@demo.orbita.local", "password": "orbita-demo"})
    answer = request(opener, "/login", data=form.encode())
    if answer not in (302, 303):
        print(f"sign-in answered {answer}", file=sys.stderr)
        return 1
    failures, count = [], 0
    for page in PAGES:
        queries = ["&".join(f"{p}={bad}" for p in PARAMS) for bad in BAD]
        queries += [f"{p}={bad}" for p in PARAMS for bad in ("%00", "%01%1F", "%FF", "a" * 10_000)]
        for query in queries:
            count += 1
            sep = "&" if "?" in page else "?"
            status = request(opener, f"{page}{sep}{query}")
            if status >= 500:
                failures.append(f"{status} GET {page}?{query[:120]}")
    print(f"{count} page requests with bad query values, {len(failures)} answered 5xx")
    for failure in failures[:40]:
        print("  " + failure)
    return 1 if failures else 0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def request(opener, path, data=None) -> int:
    try:
        with opener.open(urllib.request.Request(BASE + path, data=data), timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


if __name__ == "__main__":
    sys.exit(main())
