def room(request, code):  # replaced below
    raise NotImplementedError


verify = award_pdf = room
