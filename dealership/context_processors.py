from django.urls import reverse

from dealership import navigation


def navigation_links(request) -> dict:
    """The top bar's links, the one holding the current page marked active."""
    links = navigation.links_for(request.user) if hasattr(request, "user") else []
    paths = [(link, reverse(link.url_name)) for link in links]
    # The longest link path that starts the current path is the section the page belongs to.
    current = max((path for _link, path in paths if request.path.startswith(path)), key=len, default=None)
    sections: dict = {}
    for link, path in paths:
        sections.setdefault(link.section, []).append((link, path, path == current))
    # One entry per section: a menu where a section has several pages, so the bar fits a tablet.
    menus = [
        (navigation.Section(section).label, entries, any(active for _l, _p, active in entries))
        for section, entries in sections.items()
    ]
    return {"nav_menus": menus}
