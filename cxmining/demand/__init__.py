"""demand"""
