"""One facade over the Chinese national algorithms (SM2/SM3/SM4). Callers never import a backend."""
