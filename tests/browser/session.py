"""Signing in through the real login form (the browser journeys share it)."""

from __future__ import annotations

from playwright.sync_api import expect


def login(page, base_url: str, username: str = "demo-township") -> None:
    """Sign in as a demo account (password of the demo settings) and wait for the workspace."""
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("DemoPass-2026")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
