def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_worker": False, "is_requester": False}
    return {"is_worker": user.is_worker, "is_requester": user.is_requester}
