"""The Kustomer API: which hosts are ours to fetch, the client, its errors and the links between objects."""
