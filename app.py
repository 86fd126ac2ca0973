"""Streamlit app (placeholder until the app issue lands): `streamlit run app.py`."""

import streamlit as st

st.title("narrative-compare")
st.write("The app is being built. Meanwhile: `narrative-compare report corpus/lachin-road-2022 --out report.html`.")
