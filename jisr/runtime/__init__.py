"""Running a node as several processes: ``jisr worker`` (delivery and periodic passes),
``jisr serve --workers N`` (API processes sharing PostgreSQL), and the leadership that makes
each periodic pass run in one process at a time."""
