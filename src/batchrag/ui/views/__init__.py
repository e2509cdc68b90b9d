"""The app's pages beside «Запитати» (not `pages/`: Streamlit would list that folder itself): digest, timeline."""
