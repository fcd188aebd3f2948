"""The lock-out check of django-axes in front of the model backend."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out user name + address before any password is checked.

    Lock-outs are keyed on an HTTP request (user name and client address). A call without one
    (Django's test client `login()`, the shell) has nothing to key on, so it passes through to
    the next backend instead of failing; every sign-in page passes the request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
