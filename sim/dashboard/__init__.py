"""The Streamlit dashboard: one file per page, plus :mod:`sim.dashboard.common`.

Only this package and ``app.py`` import streamlit. The pages are listed once, in
:mod:`sim.dashboard.pages` (file, title, URL path, icon, home-page card); ``app.py`` registers
each page file that exists, in that order.

A page file defines ``render() -> None`` and ends with::

    if __name__ == "__main__":  # run by st.navigation as a page
        render()

so it is importable by tests without drawing anything, and testable through the app with
``AppTest.from_file("app.py").run()`` then ``at.switch_page("sim/dashboard/<file>.py").run()``.
A page reads the language with ``common.current_lang()``, builds a Scenario from widgets
(``common.widgets_for`` then ``sim.with_changes``), runs it with ``common.run`` and draws figures
from :mod:`sim.show.plots`. Every text goes through ``sim.i18n.t("key", lang)`` with the key in both
``sim/locales/*.json``.
"""
