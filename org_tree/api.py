"""JSON for the staffing table: /api/staffing/ gives the same figures as /staffing/."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from org_tree.forms import DepartmentFilterForm
from org_tree.staffing import staffing_table, totals
from positions.api.serializers import StaffingSerializer


@extend_schema(tags=["organisation"])
class Staffing(APIView):
    @extend_schema(
        summary="编制 / 在岗 / 空缺 / 超编 per department, alone and rolled up",
        parameters=[OpenApiParameter("department", int, description="A department id: its subtree only")],
        responses=StaffingSerializer,
    )
    def get(self, request):
        form = DepartmentFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors)
        rows = staffing_table(request.user, under=form.cleaned_data.get("department"), hidden=form.hidden_departments)
        total = totals(rows)
        return Response(
            {
                "results": [row.as_json() for row in rows],
                "totals": {
                    "headcount": total.headcount,
                    "filled": total.filled,
                    "vacant": total.vacant,
                    "over": total.over,
                },
            }
        )
