"""The Streamlit pages (registered in app.py) and the app caches they share."""
