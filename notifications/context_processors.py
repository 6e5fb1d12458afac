from .selectors import undeliverable_by_user


def undeliverable_address(request):
    """``undeliverable_address``: the signed-in person's address when GOV.UK Notify reported it
    as undeliverable (base.html shows a banner). Reads the shared cache, never the database."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.email:
        return {}
    address = undeliverable_by_user().get(user.pk)
    if address and address == user.email.lower():
        return {"undeliverable_address": address}
    return {}
