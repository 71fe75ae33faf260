from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def work_home(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


def history(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
