# Review Security Classification (seed 003) is issue 5; its records arrive with that issue.
