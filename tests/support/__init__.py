"""Shared test machinery: throwaway TLS, loopback HTTPS servers, and the two real browsers."""
