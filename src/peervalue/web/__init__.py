"""peervalue on the web: a FastAPI application (``peervalue serve``) whose JSON API takes the
library's own requests and returns its own results. The web layer validates, calls the
service layer and renders; it computes nothing of its own."""
