"""The API's shared parts: pagination, the error format, token login, normalising fields."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from dealership.errors import DomainError, NotPermitted


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc, context):
    """DRF's handler, plus: a step the role may not take is 403, a refused transition or stale version
    409, a model ValidationError 400."""
    if isinstance(exc, NotPermitted):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        if NON_FIELD_ERRORS in errors:  # Django's "__all__" is the API's "non_field_errors"
            errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
        exc = ValidationError(errors)
    return drf_exception_handler(exc, context)


class VersionSerializer(serializers.Serializer):
    """The body of an action on an object edited concurrently: the version the caller read, if any."""

    version = serializers.IntegerField(
        required=False, min_value=1, help_text="Send the version you read; 409 if stale."
    )


class TokenView(ObtainAuthToken):
    """POST {"username", "password"} → {"token"}; send it as `Authorization: Token <token>`."""

    permission_classes = ()
    authentication_classes = ()


class NormalizedCharField(serializers.CharField):
    def __init__(self, *, normalizer, validator, **kwargs):
        self.normalizer = normalizer
        super().__init__(**kwargs)
        self.validators.append(validator)

    def to_internal_value(self, data):
        return self.normalizer(super().to_internal_value(data))
