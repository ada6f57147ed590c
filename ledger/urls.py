from .import_urls import import_urlpatterns

app_name = "ledger"

urlpatterns = [
    *import_urlpatterns,
]
