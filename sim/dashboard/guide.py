"""Page: the facilitator guide, in the page's language, with its printable HTML download."""

from __future__ import annotations

import streamlit as st

from sim.dashboard import common
from sim.i18n import t
from sim.workshop import guide


def download(lang: str, key: str = "guide-download") -> None:
    """The printable HTML guide as a download button (also offered on the workshop page)."""
    st.download_button(
        t("guide.download", lang),
        data=guide.html(lang).encode("utf-8"),
        file_name="guide-animation.html" if lang == "fr" else "facilitator-guide.html",
        mime="text/html",
        icon=":material/print:",
        key=key,
    )


def render() -> None:
    lang = common.current_lang()
    download(lang)
    st.markdown(guide.text(lang))


if __name__ == "__main__":
    render()
