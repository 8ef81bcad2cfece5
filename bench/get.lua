-- wrk: GET a page as a signed-in browser would (COOKIE: the session cookie).
wrk.headers["Cookie"] = os.getenv("COOKIE") or ""
