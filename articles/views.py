from django.shortcuts import render


def index(request):
    return render(request, "articles/index.html")


def about(request):
    return render(request, "articles/index.html")


def info(request):
    return render(request, "articles/index.html")
