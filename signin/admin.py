"""Second-factor devices are not edited in the admin: deleting one there would be an unaudited
reset. Administrators reset them at signin:otp_reset (audited)."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
