"""What every email the app sends needs: absolute links and the list of people
who can receive it."""

from collections.abc import Iterable
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMessage, send_mail

from .models import User


def site_url(path: str) -> str:
    """An absolute link for an email: SITE_URL followed by a path from reverse()."""
    return settings.SITE_URL.rstrip("/") + path


def email_people(people: Iterable[User], *, subject: str, message: str) -> bool:
    """Send to those of `people` who have an email address; False when nobody has."""
    recipients = [user.email for user in people if user.email]
    if not recipients:
        return False
    send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients)
    return True


# hiring: interviews
def email_with_calendar(user: User, *, subject: str, message: str, ics: bytes, method: str) -> bool:
    """One person's e-mail with an iCalendar invitation attached (text/calendar with
    its METHOD, as calendar clients expect); False when they have no address."""
    if not user.email:
        return False
    email = EmailMessage(subject=subject, body=message, to=[user.email])
    part = MIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    email.attach(part)
    email.send()
    return True
