"""Signing in to the console, enrolling an authenticator, languages, sessions, security headers."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from sqlalchemy import select, update

from jisr.clock import utcnow
from jisr.identity import service
from jisr.identity.auth import SESSION_COOKIE, actor_for
from jisr.identity.models import LoginSession, Role, User
from jisr.web.middleware import CONTENT_SECURITY_POLICY
from tests.web.conftest import PASSWORD, Console, csrf_of


def test_sign_in_with_totp_reaches_home_and_is_audited(console: Console) -> None:
    response = console.sign_in("amal.liaison")
    assert response.url.path == "/"
    assert "Needs attention" in response.text
    assert 'dir="ltr"' in response.text
    assert console.audit("login")[-1].actor.endswith("amal.liaison")


def test_wrong_password_keeps_the_username_and_says_why(console: Console) -> None:
    page = console.client.get("/sign-in")
    response = console.client.post(
        "/sign-in",
        data={
            "csrf_token": csrf_of(page.text),
            "username": "amal.liaison",
            "password": "wrong",
            "totp_code": console.code("amal.liaison"),
        },
    )
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert 'value="amal.liaison"' in response.text
    assert console.audit("login_failed")


def test_missing_code_asks_for_it_in_french(console: Console) -> None:
    console.client.cookies.set("jisr_lang", "fr")
    page = console.client.get("/sign-in")
    assert 'lang="fr"' in page.text
    response = console.client.post(
        "/sign-in",
        data={"csrf_token": csrf_of(page.text), "username": "amal.liaison", "password": PASSWORD},
    )
    assert response.status_code == 401
    assert "Saisissez le code à 6 chiffres" in response.text


def test_sign_in_without_csrf_token_is_refused(console: Console) -> None:
    console.client.get("/sign-in")
    response = console.client.post(
        "/sign-in", data={"username": "amal.liaison", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]


def test_first_sign_in_enrols_an_authenticator_with_a_qr_code(console: Console) -> None:
    with console.session() as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        service.create_user(
            session,
            actor_for(admin),
            username="new.officer",
            display_name="New Officer",
            agency_code=admin.agency_code,
            roles=[Role.LIAISON],
            password=PASSWORD,
        )
        session.commit()
    page = console.client.get("/sign-in")
    response = console.client.post(
        "/sign-in",
        data={"csrf_token": csrf_of(page.text), "username": "new.officer", "password": PASSWORD},
    )
    assert response.url.path == "/enrol"
    assert 'src="data:image/svg+xml;base64,' in response.text
    # Until enrolled, the session opens nothing else.
    assert console.client.get("/").url.path == "/enrol"
    secret = response.text.split('id="totp-secret">')[1].split("<")[0]
    wrong = console.client.post(
        "/enrol", data={"csrf_token": csrf_of(response.text), "code": "000000"}
    )
    assert wrong.status_code == 422 and "does not match" in wrong.text
    secret = wrong.text.split('id="totp-secret">')[1].split("<")[0]
    totp = pyotp.TOTP(secret)
    done = console.client.post(
        "/enrol",
        data={"csrf_token": csrf_of(wrong.text), "code": totp.at(utcnow(), counter_offset=-1)},
    )
    assert done.url.path == "/sign-in"
    assert "Your authenticator is enrolled" in done.text
    console.totps["new.officer"] = totp
    assert console.sign_in("new.officer").url.path == "/"


def test_expired_session_returns_to_sign_in_then_to_the_page(console: Console) -> None:
    console.sign_in("admin")
    with console.session() as session:
        session.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(hours=2)))
        session.commit()
    response = console.client.get("/?tab=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2F%3Ftab%3Dx"
    page = console.client.get(response.headers["location"])
    assert 'name="next" value="/?tab=x"' in page.text


def test_sign_in_never_redirects_off_site(console: Console) -> None:
    response = console.sign_in("admin", next_url="https://evil.example/")
    assert response.url.host == "testserver" and response.url.path == "/"


def test_switching_to_arabic_lays_out_right_to_left_and_is_remembered(console: Console) -> None:
    console.sign_in("karim.analyst")
    response = console.post("/language", {"lang": "ar", "next": "/"})
    assert '<html lang="ar" dir="rtl">' in response.text
    console.client.cookies.delete("jisr_lang")
    with console.session() as session:
        user = session.execute(select(User).where(User.username == "karim.analyst")).scalar_one()
        assert user.language == "ar"
    assert 'dir="rtl"' in console.client.get("/").text


def test_sign_out_ends_the_session(console: Console) -> None:
    console.sign_in("admin")
    response = console.post("/sign-out")
    assert response.url.path == "/sign-in"
    assert SESSION_COOKIE not in console.client.cookies
    assert console.client.get("/", follow_redirects=False).status_code == 303


def test_pages_carry_a_strict_content_security_policy(console: Console) -> None:
    response = console.client.get("/sign-in")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert response.headers["cache-control"] == "no-store"
    assert "<script>" not in response.text and " style=" not in response.text
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    api = console.client.get("/healthz")
    assert "content-security-policy" not in api.headers


def test_session_cookie_is_secure_httponly_strict(console: Console) -> None:
    page = console.client.get("/sign-in")
    response = console.client.post(
        "/sign-in",
        data={
            "csrf_token": csrf_of(page.text),
            "username": "admin",
            "password": PASSWORD,
            "totp_code": console.code("admin"),
        },
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie


def test_unknown_page_is_an_html_error_page_in_the_users_language(console: Console) -> None:
    response = console.client.get(
        "/no-such-page", headers={"accept": "text/html", "accept-language": "fr"}
    )
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Introuvable" in response.text
    api = console.client.get("/api/v1/no-such", headers={"accept": "text/html"})
    assert api.headers["content-type"].startswith("application/problem+json")


def test_static_assets_are_vendored_and_cacheable(console: Console) -> None:
    page = console.client.get("/sign-in").text
    href = page.split('rel="stylesheet" href="')[1].split('"')[0]
    css = console.client.get(href)
    assert css.status_code == 200 and "immutable" in css.headers["cache-control"]
    script = page.split('<script src="')[1].split('"')[0]
    assert script.startswith("/static/vendor/htmx-")
    assert console.client.get(script).status_code == 200


def test_a_refused_form_is_an_error_page_with_the_header_intact(console: Console) -> None:
    console.sign_in("nadia.coord")
    console.post("/language", {"lang": "fr", "next": "/"})
    # No CSRF token: refused after the request's transaction rolled back, still a full page.
    response = console.client.post("/sign-out", data={})
    assert response.status_code == 403
    assert "Vous n'êtes pas autorisé à faire ceci" in response.text
    assert "Nadia" in response.text  # the header still shows who is signed in
    assert "csrf_failed" in response.text
