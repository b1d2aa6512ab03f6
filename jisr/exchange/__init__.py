"""Exchange: messages and requests between partner agencies, threaded into cases."""
