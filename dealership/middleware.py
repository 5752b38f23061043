from django.contrib.auth import middleware


class LoginRequiredMiddleware(middleware.LoginRequiredMiddleware):
    """Send anonymous visitors of a page to the login page; the API answers 401 by itself.

    Views open to everyone (login, /healthz, the public price board) carry Django's
    `@login_not_required`.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
