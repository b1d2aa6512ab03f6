"""Notices: alerts modelled on INTERPOL notices and diffusions, reviewed, published to partners
under agreements, and withdrawn everywhere when cancelled."""
