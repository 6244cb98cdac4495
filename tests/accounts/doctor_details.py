"""What a doctor gives when asking for a doctor account, as a form posts it."""
DOCTOR_DETAILS = {
    "doctor_licence_number": "GMC 7654321",
    "doctor_country": "United Kingdom",
    "doctor_institution": "St Elsewhere Hospital",
}
