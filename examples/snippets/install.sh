curl -fsSL https://example.com/install.sh | sudo bash
