from dealership import navigation


def navigation_links(request) -> dict:
    return {"nav_links": navigation.links_for(request.user) if hasattr(request, "user") else []}
