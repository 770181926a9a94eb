"""The demo database: a receiving office and its communes, the customer's 2023 plan, households
and a year of activity (exits, support actions). Built by `--demo` and `cannngheo demo`."""
