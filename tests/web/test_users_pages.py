"""Users page (administrators): list, create with field errors, disable, reset MFA, 403."""

from __future__ import annotations

from sqlalchemy import select

from jisr.identity.models import LoginSession, User
from tests.web.conftest import PASSWORD, Console


def _user(console: Console, username: str) -> User:
    with console.session() as session:
        return session.execute(select(User).where(User.username == username)).scalar_one()


def test_admin_sees_users_with_roles_and_state(console: Console) -> None:
    console.sign_in("admin")
    page = console.client.get("/users")
    assert page.status_code == 200, page.text[:2000]
    row = page.text.split('id="user-karim.analyst"')[1].split("</tr>")[0]
    assert "Analyst" in row and "Enrolled" in row and "Active" in row
    assert 'data-confirm="Disable karim.analyst?' in row
    assert console.audit("consultation", "user_list")


def test_admin_creates_a_user_field_errors_keep_what_was_typed(console: Console) -> None:
    console.sign_in("admin")
    bad = console.post(
        "/users/new",
        {
            "username": "Bad Name",
            "display_name": "Rachid Alami",
            "roles": ["analyst", "liaison"],
            "password": "short",
        },
    )
    assert bad.status_code == 422
    assert 'value="Bad Name"' in bad.text and 'value="Rachid Alami"' in bad.text
    assert 'value="analyst" selected' in bad.text and 'value="liaison" selected' in bad.text
    assert 'value="admin" selected' not in bad.text
    assert "This does not have the expected format." in bad.text
    assert "This is too short." in bad.text
    assert "short" not in bad.text.split('id="f-password"')[1].split(">")[0]
    no_roles = console.post(
        "/users/new", {"username": "rachid.alami", "display_name": "Rachid", "password": PASSWORD}
    )
    assert no_roles.status_code == 422 and "Choose at least one." in no_roles.text
    taken = console.post(
        "/users/new",
        {
            "username": "karim.analyst",
            "display_name": "Karim",
            "roles": "analyst",
            "password": PASSWORD,
        },
    )
    assert taken.status_code == 409 and "This username is taken." in taken.text
    done = console.post(
        "/users/new",
        {
            "username": "rachid.alami",
            "display_name": "رشيد العلمي",
            "roles": ["analyst", "liaison"],
            "password": PASSWORD,
        },
    )
    assert done.status_code == 200 and "The account is created." in done.text
    row = done.text.split('id="user-rachid.alami"')[1].split("</tr>")[0]
    assert "رشيد العلمي" in row and "Not enrolled" in row and "Liaison officer" in row
    assert _user(console, "rachid.alami").roles == ["analyst", "liaison"]


def test_admin_disables_a_user_and_resets_an_authenticator(console: Console) -> None:
    console.sign_in("karim.analyst")
    console.sign_in("admin")
    karim = _user(console, "karim.analyst")
    done = console.post(f"/users/{karim.id}/disable")
    assert "The account is disabled" in done.text
    row = done.text.split('id="user-karim.analyst"')[1].split("</tr>")[0]
    assert "Disabled" in row and "/disable" not in row
    assert _user(console, "karim.analyst").disabled
    with console.session() as session:
        live = session.execute(
            select(LoginSession).where(
                LoginSession.user_id == karim.id, LoginSession.revoked_at.is_(None)
            )
        ).first()
        assert live is None
    amal = _user(console, "amal.liaison")
    reset = console.post(f"/users/{amal.id}/reset-mfa")
    assert "The authenticator is reset" in reset.text
    assert not _user(console, "amal.liaison").mfa_enabled
    assert [e.details["event"] for e in console.audit("privilege_use", "user")][-2:] == [
        "disabled",
        "mfa_reset",
    ]


def test_admin_cannot_disable_themselves(console: Console) -> None:
    console.sign_in("admin")
    admin = _user(console, "admin")
    response = console.post(f"/users/{admin.id}/disable")
    assert "You cannot disable your own account." in response.text
    assert not _user(console, "admin").disabled


def test_non_admin_gets_the_error_page(console: Console) -> None:
    console.sign_in("hind.auditor")
    assert 'href="/users"' not in console.client.get("/").text
    page = console.client.get("/users")
    assert page.status_code == 403 and "You are not allowed to do this" in page.text
    karim = _user(console, "karim.analyst")
    refused = console.post(f"/users/{karim.id}/disable")
    assert refused.status_code == 403
    assert not _user(console, "karim.analyst").disabled
