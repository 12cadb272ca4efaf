"""Referral views, by who uses them: referrers (referrer.py), Assurance (triage.py), people."""
