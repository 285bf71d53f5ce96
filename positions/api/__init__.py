"""The JSON API (Django REST framework; drf-spectacular writes its OpenAPI description).

serializers.py describes the position document and the other shapes (for the schema and
for reading writes), views.py serves them with the same access rule and services as the
pages, urls.py routes /api/.
"""
