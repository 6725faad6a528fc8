"""SMEs a BPJS branch hands over to a Pos outlet to register (leads): their statuses, what they bring the
outlet, and the hand-over yield per outlet and branch (docs/employers.md, "Leads handed to Pos")."""
