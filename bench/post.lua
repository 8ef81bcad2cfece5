-- wrk: POST a server function's form as a signed-in browser would.
-- BODY: the form (url-encoded); COOKIE: the session cookie.
wrk.method = "POST"
wrk.body = os.getenv("BODY") or ""
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("COOKIE") or ""
