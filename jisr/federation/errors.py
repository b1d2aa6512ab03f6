"""Why an envelope was refused. Each code travels back to the sender in a signed rejection.

``retryable`` codes describe a passing condition (a key rotation not yet learnt, a clock being
corrected): the sender keeps the message and tries again. Every other code is final.
"""

from __future__ import annotations

from jisr.errors import JisrError


class EnvelopeError(JisrError):
    """An envelope this node will not accept."""

    code = "envelope_invalid"
    http_status = 422
    title = "Envelope refused"
    retryable = False


class MalformedEnvelopeError(EnvelopeError):
    code = "envelope_malformed"


class OversizedEnvelopeError(EnvelopeError):
    code = "envelope_oversized"
    http_status = 413


class UnsupportedVersionError(EnvelopeError):
    code = "envelope_version_unsupported"


class WrongRecipientError(EnvelopeError):
    code = "envelope_wrong_recipient"


class UnknownSenderError(EnvelopeError):
    code = "sender_unknown"


class UnknownSenderKeyError(UnknownSenderError):
    """A known partner signing with a key not (yet) pinned: usually a rotation in flight."""

    code = "sender_key_unknown"
    retryable = True


class SignatureInvalidError(EnvelopeError):
    code = "signature_invalid"


class TamperedEnvelopeError(EnvelopeError):
    code = "envelope_tampered"


class ExpiredEnvelopeError(EnvelopeError):
    code = "envelope_expired"


class ClockSkewError(EnvelopeError):
    code = "clock_skew"
    retryable = True


class UnknownRecipientKeyError(EnvelopeError):
    """Encrypted to a key of this node that is unknown or past its grace period."""

    code = "recipient_key_unknown"


class ReplayError(EnvelopeError):
    code = "envelope_replayed"
    http_status = 409


class RejectedError(EnvelopeError):
    """Raised by a handler (or by policy on receipt) to refuse an authentic envelope."""

    code = "envelope_rejected"
    http_status = 403


class AgreementSuspendedError(RejectedError):
    """This node suspended the agreement: the sender holds the message until it resumes."""

    code = "agreement_suspended"
    retryable = True


class NoHandlerError(RejectedError):
    code = "envelope_type_unsupported"


class HandlerFailedError(RejectedError):
    """The receiving node failed unexpectedly on this envelope; the sender retries."""

    code = "receiver_failed"
    retryable = True


class AckInvalidError(EnvelopeError):
    """An acknowledgement that does not verify: the delivery is treated as not done."""

    code = "ack_invalid"
    retryable = True


class TransportError(JisrError):
    """The partner could not be reached or did not answer; the message stays queued."""

    code = "transport_failed"
    http_status = 503
    title = "Partner unreachable"
