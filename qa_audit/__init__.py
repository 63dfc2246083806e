"""qa-audit: quality-assurance audit of Chinese customer-service calls and chats."""

__version__ = "0.1.0"
