"""Views of the returns app: the desk (staff journey), the queue and the analytics."""
